/* Perfi accuracy shim. */
#include <linux/types.h>
