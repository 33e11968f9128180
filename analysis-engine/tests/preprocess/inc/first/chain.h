int chain_first;
#include_next <chain.h>
