int which_second;
