#!/bin/sh
# The windows suite's tiny device: a program under wine cannot mount, so ctest mounts a 64 KiB
# tmpfs here on the Linux side for test_durability (tiny_tmpfs), and unmounts it after.
#   windows_tmpfs.sh mount DIR | windows_tmpfs.sh umount DIR
# mount leaves DIR/.mounted only when the mount worked (the test skips without it, rather than
# fill a real disk); it exits 0 either way, saying why it could not.
case $1 in
mount)
    mkdir -p "$2" || exit 0
    mountpoint -q "$2" && umount "$2"
    if mount -t tmpfs -o size=64k simdnn-test "$2" 2>/dev/null; then
        : >"$2/.mounted"
    else
        echo "windows_tmpfs: cannot mount a tmpfs at $2 (not root?): tiny_tmpfs will skip"
    fi ;;
umount)
    mountpoint -q "$2" && umount "$2"
    rmdir "$2" 2>/dev/null ;;
esac
exit 0
