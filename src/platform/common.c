/* The host layer's portable part: once, a small lock and mkdir -p, built on the per-host calls. */
#include <errno.h>
#include <string.h>

#include "platform/platform.h"

void sdn_call_once(sdn_once *once, void (*fn)(void))
{
    if (atomic_load_explicit(&once->state, memory_order_acquire) == 2)
        return;
    int expected = 0;
    if (atomic_compare_exchange_strong_explicit(&once->state, &expected, 1, memory_order_acq_rel,
                                                memory_order_acquire)) {
        fn();
        atomic_store_explicit(&once->state, 2, memory_order_release);
        return;
    }
    while (atomic_load_explicit(&once->state, memory_order_acquire) != 2)
        sdn_os_yield();
}

void sdn_mutex_lock(sdn_mutex *m)
{
    while (atomic_flag_test_and_set_explicit(&m->held, memory_order_acquire))
        sdn_os_yield();
}

void sdn_mutex_unlock(sdn_mutex *m)
{
    atomic_flag_clear_explicit(&m->held, memory_order_release);
}

static int is_separator(char c)
{
#ifdef _WIN32
    return c == '/' || c == '\\';
#else
    return c == '/';
#endif
}

int sdn_mkdirs(const char *path)
{
    char buf[4096];
    const size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return n ? ENAMETOOLONG : ENOENT;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++)
        if (is_separator(*p) && !is_separator(p[-1]) && p[-1] != ':') { /* not "C:\" */
            const char c = *p;
            *p = 0;
            const int err = sdn_mkdir(buf);
            if (err)
                return err;
            *p = c;
        }
    return sdn_mkdir(buf);
}
