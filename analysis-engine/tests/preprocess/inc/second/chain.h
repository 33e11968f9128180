int chain_second;
#include_next <chain.h>
