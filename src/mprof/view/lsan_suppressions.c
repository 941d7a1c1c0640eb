/* lsan_suppressions.c - compiled into what links the cairo painter, in sanitizer builds only
 * (src/mprof/CMakeLists.txt): never part of the library itself.
 *
 * fontconfig, which cairo loads to find fonts, keeps allocations for the life of the process
 * that LeakSanitizer reports at exit (ASan builds, tests, fuzzing). They are not ours, and
 * not growing: told to LeakSanitizer here, which calls this if it exists. */
const char *__lsan_default_suppressions(void) __attribute__((visibility("default"), used));
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig\n";
}
