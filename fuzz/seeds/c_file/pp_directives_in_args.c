#define A(x) x
A(
#if 1
1
#else
2
#endif
) _Pragma("once") __LINE__ __FILE__ __COUNTER__
#line 7 "x.c"
\