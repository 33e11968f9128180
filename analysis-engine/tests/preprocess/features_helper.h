#ifndef FEATURES_HELPER_H
#define FEATURES_HELPER_H
/* guarded helper */
typedef int helper_t;
#define HELPER_VALUE 42
int helper_var = HELPER_VALUE;
#endif
