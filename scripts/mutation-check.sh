#!/usr/bin/env bash
# Mutation check: small deliberate bugs in kernels, layers, optimizers, parsers and the fit loop,
# one at a time, each built and run against the test suite; the suite must fail on every one.
#   scripts/mutation-check.sh [name-filter]        (long: run it niced; ~1 min per mutant here)
# Works on a copy of HEAD in build-mutation/ (the working tree is never touched); prints one line
# per mutant (KILLED by the first failing test, or SURVIVED) and the kill rate; exits 1 if any
# mutant survived or no longer applies (its text is gone from the code: update the list).
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-}
jobs=$(nproc 2>/dev/null || echo 2)
work=build-mutation
src=$work/src
rm -rf "$src"
mkdir -p "$src"
git archive HEAD | tar -x -C "$src"
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

# name ## file ## original text ## mutated text  (literal; the original must occur exactly once;
# \n stands for a newline)
mutants=$(cat <<'EOF'
gemm-ref-overwrites ## simd/ref/f32-gemm-4x8-ref.c ## acc[i][j] = fmaf(a[i * rsa + p * csa], b[p * rsb + j], acc[i][j]); ## acc[i][j] = a[i * rsa + p * csa] * b[p * rsb + j];
elu-ignores-alpha ## simd/vec/act.h ## return vf_sel(vm_gt(x, vf_zero()), x, vf_mul(alpha, em)); ## return vf_sel(vm_gt(x, vf_zero()), x, em);
vec-reg-grad-drops-l2 ## simd/vec/optim.h ## return vf_fma(l1, vf_sign(w), vf_fma(l2, w, grad)); ## return vf_fma(l1, vf_sign(w), grad);
sgd-no-nesterov ## simd/vec/f32-sgd.inc ## step = mode == 2 ? vf_fma(mu, vi, g) : vi; ## step = vi;
dropout-no-scale ## src/model_build.c ## l->drop_a = 1.0f / (1.0f - rate); ## l->drop_a = 1.0f;
alpha-dropout-sign ## src/layers/alpha_dropout.c ## const double bb = -aa * alpha_p * (1.0 - q); ## const double bb = aa * alpha_p * (1.0 - q);
bn-no-epsilon ## src/layers/batch_norm.c ## st->inv_std[j] = 1.0f / sqrtf(st->var[j] + l->epsilon); ## st->inv_std[j] = 1.0f / sqrtf(st->var[j]);
l1-penalty-dropped ## src/model_pass.c ## r += (double)l->l1 * s; ## r += 0.0 * s;
adam-no-bias-correction ## src/optim/optim.c ## s.c_m = (float)(1.0 / (1.0 - sdn_det_pow((double)o->beta1, (double)t))); ## s.c_m = 1.0f;
nadam-mu-product ## src/optim/optim.c ## const double prod = mu_product_prev * mu; ## const double prod = mu;
st-overlap-unchecked ## src/io/safetensors.c ## if (sorted[i].begin < sorted[i - 1].end) ## if (0)
st-header-length ## src/io/safetensors.c ## if (hlen > st->file_len - 8) { ## if (hlen > st->file_len) {
writer-leaves-temp ## src/io/atomic_file.c ## unlink(f->tmp); ## (void)0;
cifar-label-10 ## src/data/cifar10.c ## if (s->rec[0] > 9) ## if (s->rec[0] > 10)
idx-label-10 ## src/data/idx.c ## if (f->lab[8 + i] > 9) ## if (f->lab[8 + i] > 10)
flag-upper-bound ## apps/train_config.c ## if (!*v || *end || errno || !(x >= d->lo && x <= d->hi) || ## if (!*v || *end || errno || !(x >= d->lo) ||
patience-off-by-one ## src/train/fit.c ## if (o->patience > 0 && st->wait >= o->patience) { ## if (o->patience > 0 && st->wait > o->patience) {
no-restore-best ## src/train/fit.c ## if (st->best_state && st->best_epoch > 0 && ## if (0 && st->best_state && st->best_epoch > 0 &&
shuffle-ignores-epoch ## src/data/dataset.c ## uint64_t s = seed ^ (epoch * 0xD1B54A32D192ED03ull + 0x5851F42D4C957F2Dull); ## uint64_t s = seed;
resume-forgets-wait ## src/train/checkpoint.c ## sdn_meta_int(v[5], 0, st->epochs_done, &st->wait); ## (st->wait = 0, 1);
first-epoch-never-best ## src/train/fit.c ##     if (isnan(best))\n        return 1; ##     if (isnan(best))\n        return 0;
meta-partial-number ## src/io/meta_parse.c ## if (*end || (errno == ERANGE && isinf(v))) ## if (errno == ERANGE && isinf(v))
compile-retry-duplicates ## src/model_compile.c ## sdn_model_release_compiled(m); /* what an earlier compile that failed halfway left */ ## 
EOF
)

cmake --build "$work/build" -j "$jobs" >/dev/null
if ! ctest --test-dir "$work/build" -j "$jobs" --timeout 300 >"$work/baseline.log" 2>&1; then
    echo "mutation-check: the unmutated suite fails (see $work/baseline.log)"
    exit 1
fi
total=0
killed=0
stale=0
while IFS= read -r line; do
    [ -n "$line" ] || continue
    name=${line%% ## *}
    rest=${line#* ## }
    file=${rest%% ## *}
    [ -z "$filter" ] || [[ $name == *$filter* ]] || continue
    total=$((total + 1))
    if ! python3 - "$src" "$line" <<'PY'; then
import sys
src, line = sys.argv[1:]
name, path, old, new = line.split(" ## ", 3)
old, new = old.replace("\\n", "\n"), new.replace("\\n", "\n")
text = open(f"{src}/{path}").read()
if text.count(old) != 1:
    sys.exit(1)
open(f"{src}/{path}", "w").write(text.replace(old, new))
PY
        echo "STALE     $name: its text no longer occurs once in $file"
        stale=$((stale + 1))
        continue
    fi
    log=$work/$name.log
    if ! cmake --build "$work/build" -j "$jobs" >"$log" 2>&1 </dev/null; then
        result="KILLED    $name (does not compile)"
        killed=$((killed + 1))
    elif ctest --test-dir "$work/build" -j "$jobs" --timeout 300 >>"$log" 2>&1 </dev/null; then
        result="SURVIVED  $name ($file)"
    else
        first=$(grep -m1 -oE '[0-9]+ - [A-Za-z0-9_]+ \(' "$log" | sed 's/ ($//; s/^[0-9]* - //')
        result="KILLED    $name by ${first:-a failing test}"
        killed=$((killed + 1))
    fi
    echo "$result"
    git show "HEAD:$file" >"$src/$file"
done <<<"$mutants"
cmake --build "$work/build" -j "$jobs" >/dev/null # back to the unmutated build
echo "mutation-check: $killed of $total mutants killed ($stale stale)"
[ "$killed" -eq "$total" ]
