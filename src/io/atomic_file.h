/* Files written atomically (src/io/atomic_file.c): a temporary file beside the target, written,
 * flushed to the disk and moved over it in one step (on POSIX a rename, then the folder fsync'd;
 * on Windows MoveFileExW, write-through). A failure at any point removes the temporary file and
 * leaves an existing target untouched. */
#ifndef SDN_ATOMIC_FILE_H
#define SDN_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "simdnn.h"

typedef struct sdn_atomic_file {
    const char *path;
    char *tmp;
    FILE *fp;
    size_t written;
    int err; /* errno of the first failure, 0 while all is well */
} sdn_atomic_file;

/* Creates the temporary file (SDN_ERR_IO naming path when it cannot). */
sdn_status sdn_atomic_open(sdn_atomic_file *f, const char *path);
/* Appends n bytes; a failure is kept for commit to report. */
void sdn_atomic_write(sdn_atomic_file *f, const void *p, size_t n);
/* Renames the file into place, or removes it after any failure (SDN_ERR_IO: "path: write failed
 * (reason); any previous file is unchanged"). Frees f's resources either way. */
sdn_status sdn_atomic_commit(sdn_atomic_file *f);
/* The three steps for a buffer. */
sdn_status sdn_write_file_atomic(const char *path, const void *data, size_t n);

#endif
