#define D(x) x x
#define CAT(a,b) a ##
#define f(x) f(x) g(x)
#define g(x) f(x)
int v = D(D(D(D(D(D(D(D(D(D(D(D(1))))))))))));
int w = f(1);
#include "pp_bad.c"
#include <no_such_header_anywhere.h>
#include "unterminated
#if 1 % 0
#endif
#ifdef X
int x;
/* unterminated comment \
