/* Atomic file writes: temporary file, fsync, rename, fsync of the folder (see atomic_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "io/atomic_file.h"
#include "testhooks.h"

sdn_status sdn_atomic_open(sdn_atomic_file *f, const char *path)
{
    const size_t plen = strlen(path);
    *f = (sdn_atomic_file){path, malloc(plen + 16), -1, 0, 0};
    if (!f->tmp)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    memcpy(f->tmp, path, plen);
    memcpy(f->tmp + plen, ".tmp.XXXXXX", 12);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        sdn_status st = sdn_fail(SDN_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                                 path, strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        return st;
    }
    return SDN_OK;
}

void sdn_atomic_write(sdn_atomic_file *f, const void *p, size_t n)
{
    const char *c = p;
    while (n && !f->err) {
        size_t chunk = n;
        const size_t fail_after = SDN_HOOK(sdn_st_fail_after_bytes, 0);
        if (fail_after) { /* test hook: a disk that fills up after this many bytes */
            if (f->written >= fail_after) {
                f->err = ENOSPC;
                return;
            }
            if (chunk > fail_after - f->written)
                chunk = fail_after - f->written;
        }
        ssize_t w = write(f->fd, c, chunk);
        if (w < 0) {
            if (errno != EINTR)
                f->err = errno;
            continue;
        }
        c += w;
        n -= (size_t)w;
        f->written += (size_t)w;
    }
}

/* Makes the rename itself durable. */
static void sync_folder(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".";
    int dfd = open(d, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
}

sdn_status sdn_atomic_commit(sdn_atomic_file *f)
{
    if (!f->err && fsync(f->fd) != 0)
        f->err = errno;
    if (close(f->fd) != 0 && !f->err)
        f->err = errno;
    if (!f->err && rename(f->tmp, f->path) != 0)
        f->err = errno;
    if (f->err)
        unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    if (f->err)
        return sdn_fail(SDN_ERR_IO, "%s: write failed (%s); any previous file is unchanged",
                        f->path, strerror(f->err));
    sync_folder(f->path);
    return SDN_OK;
}

sdn_status sdn_write_file_atomic(const char *path, const void *data, size_t n)
{
    sdn_atomic_file f;
    sdn_status st = sdn_atomic_open(&f, path);
    if (st)
        return st;
    sdn_atomic_write(&f, data, n);
    return sdn_atomic_commit(&f);
}
