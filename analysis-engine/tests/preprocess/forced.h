#define FORCED_VALUE 11
int forced_decl;
