/* macos_syntax.sh only: the two Darwin calls src/platform/posix.c makes, declared as the macOS SDK
 * declares them (sys/sysctl.h; pthread_threadid_np is pthread.h's), so that its __APPLE__ part
 * is compiled here against glibc's other headers. */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
int sysctlbyname(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
int pthread_threadid_np(pthread_t thread, uint64_t *thread_id);
