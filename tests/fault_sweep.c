/* The sweep behind sdn_fault_sweep (fault_alloc.h): one run per allocation, that allocation
 * failing, until a run makes no more allocations than the one armed to fail. */
#include <stdio.h>
#include <string.h>

#include "fault_alloc.h"
#include "testutil.h"

long sdn_fault_sweep(const char *what, sdn_fault_op prepare, sdn_fault_op op, sdn_fault_check check,
                     void *ctx)
{
    for (long n = 0;; n++) {
        if (prepare)
            assert_int_equal(prepare(ctx), SDN_OK);
        sdn_fault_fail_at(n);
        sdn_status st = op(ctx);
        int fired = sdn_fault_fired();
        sdn_fault_disarm();
        if (st != SDN_OK && st != SDN_ERR_NOMEM)
            fail_msg("%s: allocation %ld failed, status %d: %s", what, n, (int)st,
                     sdn_last_error());
        if (st == SDN_ERR_NOMEM && !strstr(sdn_last_error(), "memory"))
            fail_msg("%s: allocation %ld: the message does not say memory: %s", what, n,
                     sdn_last_error());
        if (!fired && st != SDN_OK)
            fail_msg("%s: failed with no fault injected: %s", what, sdn_last_error());
        if (check)
            check(ctx, st);
        if (!fired) {
            printf("faults: %-28s %ld injected, %ld survived\n", what, n, n);
            return n;
        }
    }
}
