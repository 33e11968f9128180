int only_after = __INCLUDE_LEVEL__;
