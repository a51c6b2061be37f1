/* Atomic file writes: temporary file, flushed to the disk, moved over the target (see
 * atomic_file.h); the host's calls are src/platform/'s. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "io/atomic_file.h"
#include "platform/platform.h"
#include "testhooks.h"

sdn_status sdn_atomic_open(sdn_atomic_file *f, const char *path)
{
    const size_t tmp_size = strlen(path) + 32;
    *f = (sdn_atomic_file){path, malloc(tmp_size), NULL, 0, 0};
    if (!f->tmp)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    f->fp = sdn_create_temp(path, f->tmp, tmp_size);
    if (!f->fp) {
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
        errno = 0;
        const size_t w = fwrite(c, 1, chunk, f->fp);
        if (w < chunk) {
            f->err = errno ? errno : EIO;
            return;
        }
        c += w;
        n -= w;
        f->written += w;
    }
}

sdn_status sdn_atomic_commit(sdn_atomic_file *f)
{
    int err;
    if (!f->err && (err = sdn_file_sync(f->fp)))
        f->err = err;
    if (fclose(f->fp) != 0 && !f->err)
        f->err = errno ? errno : EIO;
    if (!f->err && (err = sdn_replace_file(f->tmp, f->path)))
        f->err = err;
    if (f->err)
        sdn_remove(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    f->fp = NULL;
    if (f->err)
        return sdn_fail(SDN_ERR_IO, "%s: write failed (%s); any previous file is unchanged",
                        f->path, strerror(f->err));
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
