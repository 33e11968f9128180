/* AES-style key size selection: the branch must follow the -D flags. */
#if defined(AES256) && (AES256 == 1)
#define Nk 8
#define Nr 14
#elif defined(AES192) && (AES192 == 1)
#define Nk 6
#define Nr 12
#else
#define Nk 4
#define Nr 10
#endif
int rounds = Nr;
int key_words = Nk;
