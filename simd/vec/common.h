/* Helpers over the including ISA's vmath.h vocabulary shared by the bodies in this folder:
 * loads/stores of `rem` lanes that fold to plain ones when rem is the constant SDN_VLEN, so each
 * kernel writes its step once and calls it for full vectors and for the tail. */
#ifndef SDN_VEC_COMMON_H
#define SDN_VEC_COMMON_H

#include <math.h>
#include <string.h>

static inline vf vf_loadn(const float *p, size_t rem)
{
    return rem == SDN_VLEN ? vf_load(p) : vf_load_part(p, rem);
}
static inline void vf_storen(float *p, vf v, size_t rem)
{
    if (rem == SDN_VLEN)
        vf_store(p, v);
    else
        vf_store_part(p, v, rem);
}
/* for (idx = 0; idx < n; idx += SDN_VLEN) { body } with `rem` the lanes of this step: the constant
 * SDN_VLEN in the main loop (plain loads and stores, no per-load branch), n − idx in the one tail
 * step. The body is pasted twice; it must not use break or continue. */
#define SDN_VFOR(idx, n, rem, ...)                                                                 \
    do {                                                                                           \
        size_t idx = 0;                                                                            \
        for (; idx + SDN_VLEN <= (n); idx += SDN_VLEN) {                                           \
            const size_t rem = SDN_VLEN;                                                           \
            __VA_ARGS__                                                                            \
        }                                                                                          \
        if (idx < (n)) {                                                                           \
            const size_t rem = (n)-idx;                                                            \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    } while (0)

/* p[0..rem) readable as a whole vector of bytes: p itself, or (a partial tail) a zeroed copy in
 * buf, so nothing past p + rem is read. */
static inline const uint8_t *u8_whole(const uint8_t *p, size_t rem, uint8_t buf[SDN_VLEN])
{
    if (rem >= SDN_VLEN) /* rem ≤ SDN_VLEN: ≥ tells the compiler memcpy below fits buf */
        return p;
    memset(buf, 0, SDN_VLEN);
    memcpy(buf, p, rem);
    return buf;
}
/* keep[0..rem) != 0 as a mask. */
static inline vm vm_keepn(const uint8_t *keep, size_t rem)
{
    uint8_t buf[SDN_VLEN];
    return vm_keep(u8_whole(keep, rem, buf));
}
/* p[0..rem) as floats. */
static inline vf vf_from_u8n(const uint8_t *p, size_t rem)
{
    uint8_t buf[SDN_VLEN];
    return vf_from_u8(u8_whole(p, rem, buf));
}
/* sign(w) ∈ {−1, 0, 1}; NaN gives 0, as the reference. */
static inline vf vf_sign(vf w)
{
    const vf one = vf_set1(1.0f);
    return vf_sub(vf_and_mask(vm_gt(w, vf_zero()), one), vf_and_mask(vm_lt(w, vf_zero()), one));
}
/* 1.0 in lane k, 0 elsewhere (all 0 when k ≥ SDN_VLEN, e.g. a wrapped negative). */
static inline vf vf_onehot(size_t k)
{
    static const float t[2 * SDN_VLEN] = {[SDN_VLEN] = 1.0f};
    return k < SDN_VLEN ? vf_load(t + SDN_VLEN - k) : vf_zero();
}

#endif
