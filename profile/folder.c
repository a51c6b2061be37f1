/* The profiler's folders (a report folder, the calibration cache's): made with their parents, and
 * refused with a clear message when a file stands in the way. */
#include <errno.h>
#include <string.h>

#include "platform.h"
#include "report.h"

sdn_status sdn_prof_prepare_dir(const char *dir)
{
    char path[1024];
    if (!dir || !*dir)
        return sdn_pf_fail(SDN_ERR_INVALID_ARG, "profile: the output folder is empty");
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return sdn_pf_fail(SDN_ERR_INVALID_ARG, "profile: folder name too long");
    if (sdn_mkdirs(path))
        return sdn_pf_fail(SDN_ERR_IO, "profile: cannot create folder %s: %s", path,
                           strerror(errno));
    if (sdn_path_kind_of(dir) != SDN_PATH_DIR)
        return sdn_pf_fail(SDN_ERR_IO, "profile: %s is not a folder", dir);
    return SDN_OK;
}
