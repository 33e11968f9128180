int which_quote_dir;
