#define ADD(a, b) ((a) + (b))
#define LOG(fmt, ...) log_(fmt, ##__VA_ARGS__)
#define OPT(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)
#define STR(x) #x
#define CAT(a, b) a ## b
#define SELF SELF + 1
int g(int x) {
    LOG("x");
    int y = ADD(x,
                CAT(1, 2));
#if defined(SELF) && (1 << 3) == 8
    y += SELF;
#elif 1 / 0
    y -= 1;
#else
    y = 0;
#endif
    return y + OPT(1, 2) + sizeof STR(a "b");
}
