/* Include search order, #include_next, computed includes, #line, -U. */
#include "which.h"
#include <which.h>
#include "chain.h"
#include <only_after.h>
#define NAME(x) #x
#define HEADER_OF(x) NAME(x.h)
#include HEADER_OF(which)
#line 1000 "renamed.c"
const char *where = __FILE__; int line = __LINE__;
#ifdef FROM_CMDLINE
int from_cmdline = FROM_CMDLINE;
#endif
#ifdef UNDONE
int undone = 1;
#endif
#if defined(FUNC_DEF)
int fd = FUNC_DEF(3, 4);
#endif
#elifdef_is_not_a_directive_here
#ifdef NOPE
#elifdef FROM_CMDLINE
int elifdef_taken = 1;
#elifndef FROM_CMDLINE
int elifndef_taken = 1;
#endif
#if __has_include_next(<chain.h>)
int has_next = 1;
#endif
int done;
int forced_use = FORCED_VALUE;
