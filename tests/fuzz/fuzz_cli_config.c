/* libFuzzer target: the CLI's flag parser and the configuration a checkpoint stores. Input byte 0
 * picks the surface: 0 = argv, one argument per line; 1 = the "--name=value" list read back on
 * --resume; 2 = argv, arguments separated by NUL bytes (so they may hold newlines). Whatever parses
 * must survive the round trip a resume makes: config → stored list → parsed again → the same list.
 */
#include "error.h"
#include "fuzz_util.h"
#include "train.h"

enum { MAX_ARGS = 64, ARGS_BUF = 1 << 15 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    static char first[ARGS_BUF], again[ARGS_BUF];
    app_train_config c;
    app_train_config_defaults(&c);
    int r;
    if (data[0] % 3 != 1) {
        char *argv[MAX_ARGS];
        int argc = fuzz_split(data + 1, size - 1, data[0] % 3 ? 0 : '\n', argv, MAX_ARGS);
        r = app_train_parse(&c, "fuzz", argc, argv, 0, NULL, NULL, NULL);
        free(argv[0]);
    } else {
        char *text = malloc(size);
        memcpy(text, data + 1, size - 1);
        text[size - 1] = 0;
        r = app_train_config_apply_args(&c, text);
        free(text);
    }
    if (r != 0)
        return 0;
    sdn_net_spec spec = app_train_net_spec(&c, 3072, 10);
    sdn_optimizer_options opt = app_train_optimizer(&c);
    (void)spec;
    (void)opt;
    app_train_config_args(&c, first, sizeof first);
    app_train_config back;
    app_train_config_defaults(&back);
    if (app_train_config_apply_args(&back, first) != 0)
        abort(); /* a configuration the parser accepted is stored in a form it refuses */
    app_train_config_args(&back, again, sizeof again);
    if (strcmp(first, again) != 0)
        abort(); /* a resumed run would train with another configuration */
    return 0;
}
