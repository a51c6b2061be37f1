/* Windows only, included before every test source (tests/CMakeLists.txt): the few POSIX calls
 * the tests make to set up files, over the host layer and the C runtime. */
#ifndef SDN_POSIX_COMPAT_H
#define SDN_POSIX_COMPAT_H
#ifdef _WIN32
#include <direct.h>
#include <errno.h>
#include <io.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "platform/platform.h"

/* mkdir(path, mode): the mode has no meaning there */
static inline int sdn_compat_mkdir(const char *path)
{
    const int err = sdn_mkdir(path);
    if (err)
        errno = err;
    return err ? -1 : 0;
}
#define mkdir(path, mode) sdn_compat_mkdir(path)

/* mkdtemp: the trailing XXXXXX become a counter until a new folder is made */
static inline char *mkdtemp(char *tmpl)
{
    const size_t n = strlen(tmpl);
    if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0) {
        errno = EINVAL;
        return NULL;
    }
    static unsigned counter;
    for (int i = 0; i < 100000; i++) {
        snprintf(tmpl + n - 6, 7, "%06u",
                 (unsigned)((counter++ + (unsigned)_getpid() * 7919u) % 1000000u));
        if (sdn_path_kind_of(tmpl) == SDN_PATH_NONE && sdn_mkdir(tmpl) == 0)
            return tmpl;
    }
    errno = EEXIST;
    return NULL;
}

static inline int setenv(const char *name, const char *value, int overwrite)
{
    if (!overwrite && getenv(name))
        return 0;
    return _putenv_s(name, value) == 0 ? 0 : -1;
}

static inline int unsetenv(const char *name)
{
    return _putenv_s(name, "") == 0 ? 0 : -1; /* an empty value removes it */
}
#endif
#endif
