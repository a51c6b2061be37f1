/* The report folder: each file written to a temporary name and renamed; the trace gzipped when
 * asked, or when it passes 10 MB (zlib), else plain; and the writer the library calls at
 * sdn_profile_end. */
#include <errno.h>
#include <string.h>

#include "platform.h"
#include "report.h"

#if SDN_HAVE_ZLIB
#include <zlib.h>
#endif

#define TRACE_GZ_ABOVE (10u << 20)

typedef enum { OUT_MD, OUT_JSON, OUT_CSV, OUT_SVG, OUT_HTML, OUT_TRACE } out_kind;

static sdn_status write_body(FILE *f, out_kind kind, const sdn_profile_report *r)
{
    switch (kind) {
    case OUT_MD:
        sdn_prof_write_md(r, f);
        break;
    case OUT_JSON:
        sdn_prof_write_json(r, f);
        break;
    case OUT_CSV:
        sdn_prof_write_csv(r, f);
        break;
    case OUT_SVG:
        sdn_prof_write_svg(r, f);
        break;
    case OUT_HTML:
        sdn_prof_write_html(r, f);
        break;
    case OUT_TRACE:
        return sdn_prof_write_trace(r->d, f);
    }
    return SDN_OK;
}

/* dir/name written through dir/name.tmp; keep_tmp: leave the temporary file (the trace). */
static sdn_status write_one(const char *dir, const char *name, out_kind kind,
                            const sdn_profile_report *r, int keep_tmp)
{
    char path[1100], tmp[1120];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return sdn_pf_fail(SDN_ERR_IO, "profile: cannot write %s: %s", tmp, strerror(errno));
    const sdn_status st = write_body(f, kind, r);
    const int bad = ferror(f);
    if (fclose(f) || bad || st) {
        sdn_remove(tmp);
        return st ? st : sdn_pf_fail(SDN_ERR_IO, "profile: cannot write %s", path);
    }
    if (!keep_tmp && sdn_replace_file(tmp, path))
        return sdn_pf_fail(SDN_ERR_IO, "profile: cannot rename %s: %s", tmp, strerror(errno));
    return SDN_OK;
}

#if SDN_HAVE_ZLIB
static sdn_status gzip_file(const char *from, const char *to)
{
    char tmp[1200], buf[1 << 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", to);
    FILE *in = sdn_fopen(from, "rb");
    gzFile gz = in ? gzopen(tmp, "wb6") : NULL;
    int ok = in && gz;
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = gzwrite(gz, buf, (unsigned)n) == (int)n;
    ok &= in && !ferror(in);
    if (in)
        fclose(in);
    if (gz)
        ok &= gzclose(gz) == Z_OK;
    if (!ok || sdn_replace_file(tmp, to)) {
        sdn_remove(tmp);
        return sdn_pf_fail(SDN_ERR_IO, "profile: cannot write %s", to);
    }
    return SDN_OK;
}
#endif

/* The trace in the form asked: SDN_TRACE_AUTO gzips above 10 MB when zlib is there. */
static sdn_status write_trace(const char *dir, int form, const sdn_profile_report *r)
{
    char plain[1100], gz[1100], tmp[1120];
    snprintf(plain, sizeof plain, "%s/trace.json", dir);
    snprintf(gz, sizeof gz, "%s/trace.json.gz", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", plain);
    sdn_remove(plain); /* a folder written again keeps no trace of the run before */
    sdn_remove(gz);
    if (form == SDN_TRACE_NONE)
        return SDN_OK;
#if !SDN_HAVE_ZLIB
    if (form == SDN_TRACE_GZ)
        return sdn_pf_fail(SDN_ERR_UNSUPPORTED,
                           "profile: --profile-trace gz: this build has no "
                           "zlib (install zlib1g-dev and configure again, or use json)");
#endif
    sdn_status st = write_one(dir, "trace.json", OUT_TRACE, r, 1);
    if (st)
        return st;
    FILE *t = sdn_fopen(tmp, "rb");
    const int64_t size = t ? sdn_file_size(t) : -1;
    if (t)
        fclose(t);
    const int big = size > (int64_t)TRACE_GZ_ABOVE;
#if SDN_HAVE_ZLIB
    if (form == SDN_TRACE_GZ || (form == SDN_TRACE_AUTO && big)) {
        st = gzip_file(tmp, gz);
        sdn_remove(tmp);
        return st;
    }
#else
    (void)big;
#endif
    if (sdn_replace_file(tmp, plain))
        return sdn_pf_fail(SDN_ERR_IO, "profile: cannot rename %s: %s", tmp, strerror(errno));
    return SDN_OK;
}

sdn_status sdn_profiler_write(const sdn_profile_options *o, const sdn_prof_data *d)
{
    sdn_calibration cal;
    sdn_status st = sdn_prof_prepare_dir(o->dir);
    if (st || (st = sdn_calibration_get(&cal, 0, NULL)))
        return st;
    sdn_profile_report r;
    if ((st = sdn_profile_analyze(d, &cal, &r)))
        return st;
    static const struct {
        const char *name;
        out_kind kind;
    } files[] = {{"profile.md", OUT_MD},
                 {"profile.json", OUT_JSON},
                 {"profile.csv", OUT_CSV},
                 {"profile.svg", OUT_SVG},
                 {"profile.html", OUT_HTML}};
    for (size_t i = 0; !st && i < sizeof files / sizeof files[0]; i++)
        st = write_one(o->dir, files[i].name, files[i].kind, &r, 0);
    if (!st)
        st = write_trace(o->dir, o->trace, &r);
    sdn_profile_report_free(&r);
    return st;
}

static sdn_status writer(const sdn_profile_options *o, const sdn_prof_data *d, char *err,
                         size_t size)
{
    const sdn_status st = sdn_profiler_write(o, d);
    if (st)
        snprintf(err, size, "%s", sdn_profiler_last_error());
    return st;
}

void sdn_profiler_install(void)
{
    sdn_profile_set_writer(writer);
}
