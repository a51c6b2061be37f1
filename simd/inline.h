/* What the tiles and the packers share: forced inlining, and a switch that turns a run-time count
 * (a tile's rows or columns) into a compile-time constant per case, so each case's loops unroll
 * and its accumulators become registers. */
#ifndef SDN_INLINE_H
#define SDN_INLINE_H

#define SDN_INLINE static inline __attribute__((always_inline))

#define SDN_CASE(v, BODY)                                                                          \
    case v:                                                                                        \
        BODY(v) return;
#define SDN_CASES_3(B) SDN_CASE(1, B) SDN_CASE(2, B) SDN_CASE(3, B)
#define SDN_CASES_5(B) SDN_CASES_3(B) SDN_CASE(4, B) SDN_CASE(5, B)
#define SDN_CASES_7(B) SDN_CASES_5(B) SDN_CASE(6, B) SDN_CASE(7, B)
#define SDN_CASES_11(B) SDN_CASES_7(B) SDN_CASE(8, B) SDN_CASE(9, B) SDN_CASE(10, B) SDN_CASE(11, B)
#define SDN_CASES_15(B)                                                                            \
    SDN_CASES_11(B) SDN_CASE(12, B) SDN_CASE(13, B) SDN_CASE(14, B) SDN_CASE(15, B)

/* BODY(v) for v = x when 1 ≤ x < top, else BODY(top); `below` is top − 1 written as a literal
 * (3, 5, 7, 11 or 15). BODY is a macro of one argument that ends in a statement. */
#define SDN_CONST_SWITCH(x, below, top, BODY)                                                      \
    switch (x) {                                                                                   \
        SDN_CASES_##below(BODY) default : BODY(top)                                                \
    }

#endif
