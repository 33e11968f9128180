/* Loops gcc -O2 replaces by a call to memset or memcpy (distribute.rs),
 * measured under callgrind by tests/library_loops.rs. Written for Perfi. */
unsigned g_words[1024];
long g_from[256], g_to[256];

void clear_words(unsigned *w, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = 0;
}

void copy_longs(int n)
{
	for (int i = 0; i < n; i++)
		g_to[i] = g_from[i];
}

void drive_clear_16(void) { clear_words(g_words, 16); }
void drive_clear_64(void) { clear_words(g_words, 64); }
void drive_clear_200(void) { clear_words(g_words, 200); }
void drive_copy_8(void) { copy_longs(8); }
void drive_copy_32(void) { copy_longs(32); }
void drive_copy_100(void) { copy_longs(100); }
