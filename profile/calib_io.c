/* The calibration's cache file ($XDG_CACHE_HOME/simdnn/calibration-5.txt, one per CPU and thread
 * count, the machine's identity that keys it), its printout, and the look-ups the roofs make in
 * it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "report.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define CACHE_FORMAT "simdnn-calibration 5"

const int sdn_stream_counts[SDN_N_STREAMS] = {1, 2, 3, 5, 7};

static int all_threads(void)
{
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

/* This machine's identity, which keys the cache file: the CPU, its threads, its caches. */
void sdn_calibration_machine(sdn_calibration *c)
{
    const sdn_cpu_info *ci = sdn_cpu();
    memset(c, 0, sizeof *c);
    snprintf(c->cpu, sizeof c->cpu, "%s%s%s", ci->vendor, ci->brand[0] ? " " : "", ci->brand);
    c->threads = all_threads();
    const size_t bytes[3] = {ci->l1d_bytes, ci->l2_bytes, ci->l3_bytes};
    const char *src[3] = {ci->l1d_source, ci->l2_source, ci->l3_source};
    for (int i = 0; i < 3; i++) {
        c->cache_bytes[i] = bytes[i];
        snprintf(c->cache_source[i], sizeof c->cache_source[i], "%s", src[i] ? src[i] : "?");
    }
}

/* One file per format: builds of other versions on the same host keep theirs. */
void sdn_calibration_path(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, size, "%s/simdnn/calibration-5.txt", xdg);
    else
        snprintf(buf, size, "%s/.cache/simdnn/calibration-5.txt", home && *home ? home : "/tmp");
}

const char *sdn_level_name(int level)
{
    static const char *const names[SDN_LVL_COUNT] = {"L1", "L2", "L3", "DRAM"};
    return level >= 0 && level < SDN_LVL_COUNT ? names[level] : "?";
}

/* One line of the cache file into c; 0 when it was understood. */
static int parse_line(sdn_calibration *c, const char *line)
{
    char isa_name[16];
    int level, n = 0;
    double x, y, z;
    sdn_isa isa;
    if (!strncmp(line, "cpu ", 4)) {
        snprintf(c->cpu, sizeof c->cpu, "%.79s", line + 4);
        return 0;
    }
    if (sscanf(line, "threads %d", &c->threads) == 1)
        return 0;
    if (sscanf(line, "triad_gbs %lf %lf", &c->triad_gbs[0], &c->triad_gbs[1]) == 2)
        return 0;
    if (sscanf(line, "%*s %15s%n", isa_name, &n) != 1 ||
        (isa = sdn_isa_from_name(isa_name)) >= SDN_ISA_COUNT)
        return -1;
    if (sscanf(line, "peak_gflops %*s %lf %lf", &x, &y) == 2) {
        c->peak_gflops[isa][0] = x;
        c->peak_gflops[isa][1] = y;
    } else if (sscanf(line, "kinds %*s %lf %lf %lf", &x, &y, &z) == 3) {
        c->exp_gops[isa] = x;
        c->sqrtdiv_gops[isa] = y;
        c->cmpsel_gops[isa] = z;
    } else if (sscanf(line, "streams %*s %d%n", &level, &n) == 1 && level >= 0 &&
               level < SDN_LVL_COUNT) {
        const char *p = line + n;
        for (int s = 0; s < SDN_N_STREAMS; s++) {
            char *end;
            c->stream_gbs[isa][level][s] = strtod(p, &end);
            p = end;
        }
    } else {
        return -1;
    }
    return 0;
}

int sdn_calibration_load(sdn_calibration *c)
{
    char path[1024], line[512];
    sdn_calibration_path(path, sizeof path);
    FILE *f = sdn_fopen(path, "r");
    if (!f)
        return -1;
    sdn_calibration want;
    sdn_calibration_machine(&want);
    *c = want;
    memset(c->cpu, 0, sizeof c->cpu);
    c->threads = 0;
    int ok = fgets(line, sizeof line, f) && !strncmp(line, CACHE_FORMAT, strlen(CACHE_FORMAT));
    while (ok && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        parse_line(c, line);
    }
    fclose(f);
    return ok && !strcmp(c->cpu, want.cpu) && c->threads == want.threads && c->triad_gbs[0] > 0
               ? 0
               : -1;
}

static sdn_status make_dir(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    return sdn_prof_prepare_dir(dir);
}

sdn_status sdn_calibration_store(const sdn_calibration *c)
{
    char path[1024], tmp[1100];
    sdn_calibration_path(path, sizeof path);
    sdn_status st = make_dir(path);
    if (st)
        return st;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return sdn_pf_fail(SDN_ERR_IO, "calibrate: cannot write %s: %s", tmp, strerror(errno));
    fprintf(f, CACHE_FORMAT "\ncpu %s\nthreads %d\ntriad_gbs %.4f %.4f\n", c->cpu, c->threads,
            c->triad_gbs[0], c->triad_gbs[1]);
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        if (!(c->peak_gflops[i][0] > 0))
            continue;
        const char *name = sdn_isa_name((sdn_isa)i);
        fprintf(f, "peak_gflops %s %.4f %.4f\nkinds %s %.5f %.5f %.5f\n", name,
                c->peak_gflops[i][0], c->peak_gflops[i][1], name, c->exp_gops[i],
                c->sqrtdiv_gops[i], c->cmpsel_gops[i]);
        for (int l = 0; l < SDN_LVL_COUNT; l++) {
            fprintf(f, "streams %s %d", name, l);
            for (int s = 0; s < SDN_N_STREAMS; s++)
                fprintf(f, " %.4f", c->stream_gbs[i][l][s]);
            fputc('\n', f);
        }
    }
    if (fclose(f) || sdn_replace_file(tmp, path)) {
        sdn_remove(tmp);
        return sdn_pf_fail(SDN_ERR_IO, "calibrate: cannot write %s", path);
    }
    return SDN_OK;
}

void sdn_calibration_caches(const sdn_calibration *c, char *buf, size_t size)
{
    snprintf(buf, size, "L1d %zu KiB (%s), L2 %zu KiB (%s), L3 %zu KiB (%s)",
             c->cache_bytes[0] >> 10, c->cache_source[0], c->cache_bytes[1] >> 10,
             c->cache_source[1], c->cache_bytes[2] >> 10, c->cache_source[2]);
}

/* The envelope of the measured rates: more streams never lower what a level can deliver (a
 * kernel of few streams may be limited by its own arithmetic, as sumsq's reduction is). */
double sdn_calibration_bw(const sdn_calibration *c, sdn_isa isa, int level, double streams)
{
    const double *g = c->stream_gbs[isa][level];
    double env[SDN_N_STREAMS], best = 0;
    for (int s = 0; s < SDN_N_STREAMS; s++)
        env[s] = best = g[s] > best ? g[s] : best;
    if (streams <= sdn_stream_counts[0])
        return env[0];
    for (int s = 1; s < SDN_N_STREAMS; s++)
        if (streams <= sdn_stream_counts[s]) {
            const double a = sdn_stream_counts[s - 1], b = sdn_stream_counts[s];
            return env[s - 1] + (env[s] - env[s - 1]) * (streams - a) / (b - a);
        }
    return env[SDN_N_STREAMS - 1];
}

void sdn_calibration_signature(const sdn_calibration *c, sdn_isa isa, char *buf, size_t size)
{
    snprintf(buf, size,
             "%s FMA %.1f GFLOP/s, exp %.2f, sqrt/div %.2f G/s, L1 %.0f, L3 %.0f, "
             "DRAM %.0f GB/s (2 streams)",
             sdn_isa_name(isa), c->peak_gflops[isa][0], c->exp_gops[isa], c->sqrtdiv_gops[isa],
             c->stream_gbs[isa][SDN_LVL_L1][1], c->stream_gbs[isa][SDN_LVL_L3][1],
             c->stream_gbs[isa][SDN_LVL_DRAM][1]);
}

void sdn_calibration_print(const sdn_calibration *c, FILE *out)
{
    char path[1024], caches[160];
    sdn_calibration_path(path, sizeof path);
    sdn_calibration_caches(c, caches, sizeof caches);
    fprintf(out, "cpu:        %s (%d threads)\ncaches:     %s\n", c->cpu, c->threads, caches);
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        if (!(c->peak_gflops[i][0] > 0))
            continue;
        fprintf(out,
                "peak %-6s %7.1f GFLOP/s FMA on 1 thread, %7.1f on %d; per ns on 1 thread: "
                "%.2f exp, %.2f sqrt+div, %.2f compare-select\n",
                sdn_isa_name((sdn_isa)i), c->peak_gflops[i][0], c->peak_gflops[i][1], c->threads,
                c->exp_gops[i], c->sqrtdiv_gops[i], c->cmpsel_gops[i]);
        for (int l = 0; l < SDN_LVL_COUNT; l++) {
            fprintf(out, "  %-4s GB/s with 1/2/3/5/7 streams:", sdn_level_name(l));
            for (int s = 0; s < SDN_N_STREAMS; s++)
                fprintf(out, " %6.1f", c->stream_gbs[i][l][s]);
            fputc('\n', out);
        }
    }
    fprintf(out, "triad       %8.1f GB/s on 1 thread, %8.1f on %d\n", c->triad_gbs[0],
            c->triad_gbs[1], c->threads);
    if (c->threads > 1)
        fprintf(out,
                "round trip  %8.0f ns, a cache line between two cores and back (now; not "
                "cached; usual: 50-200 ns on cores that share a cache, 300-500 across sockets "
                "or vCPUs the host placed apart)\n",
                sdn_profile_round_trip_ns());
    fprintf(out, "cache:      %s\n", path);
}
