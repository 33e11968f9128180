int which_first;
