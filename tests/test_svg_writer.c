/* The one SVG writer (support/svg_writer.c): text is escaped wherever it lands (titles, labels,
 * tooltips), points that are not finite (or <= 0 on a log axis) are skipped, and an empty plot
 * is still a whole document. Each output is checked for well-formed XML by a small reader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg_writer.h"
#include "testutil.h"

static FILE *open_doc(void)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    return f;
}

/* What the writer put into f, as a malloc'd string; closes f. */
static char *close_doc(FILE *f)
{
    assert_int_equal(ferror(f), 0);
    const long n = ftell(f);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static int occurrences(const char *s, const char *part)
{
    int n = 0;
    for (const char *p = strstr(s, part); p; p = strstr(p + 1, part))
        n++;
    return n;
}

/* An entity that XML knows starts at s ("&amp;" ...). */
static int entity(const char *s)
{
    static const char *const known[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (int i = 0; i < 5; i++)
        if (!strncmp(s, known[i], strlen(known[i])))
            return 1;
    return 0;
}

/* Fails naming the byte where s stops being well-formed XML: tags nest and close, attribute
 * values are quoted, no raw '<' or '&' stands in text or values, and no control character but
 * tab and line ends. */
static void assert_well_formed(const char *s)
{
    const char *stack[64];
    size_t len[64];
    int depth = 0, roots = 0;
    for (const char *p = s; *p;) {
        if (*p == '&' && !entity(p))
            fail_msg("a raw '&' at byte %d", (int)(p - s));
        if ((unsigned char)*p < 0x20 && !strchr("\t\n\r", *p))
            fail_msg("control character %d at byte %d", *p, (int)(p - s));
        if (*p != '<') {
            p++;
            continue;
        }
        const int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " \t\n/>");
        if (n == 0)
            fail_msg("a '<' without a name at byte %d", (int)(p - s));
        const char *q = name + n;
        while (*q && *q != '>' && !(q[0] == '/' && q[1] == '>')) {
            if (*q == '"') {
                for (q++; *q && *q != '"'; q++)
                    if (*q == '<' || (*q == '&' && !entity(q)))
                        fail_msg("a raw '%c' in an attribute at byte %d", *q, (int)(q - s));
                if (!*q)
                    fail_msg("an attribute value not closed");
            } else if (*q == '\'' || *q == '<') {
                fail_msg("'%c' in a tag at byte %d", *q, (int)(q - s));
            }
            q++;
        }
        if (!*q)
            fail_msg("a tag not closed at byte %d", (int)(p - s));
        if (closing) {
            if (!depth || len[depth - 1] != n || strncmp(stack[depth - 1], name, n))
                fail_msg("</%.*s> closes nothing open at byte %d", (int)n, name, (int)(p - s));
            depth--;
        } else if (*q == '>') {
            assert_true(depth < 64);
            roots += depth == 0;
            stack[depth] = name;
            len[depth++] = n;
        } else {
            roots += depth == 0;
        }
        p = q + (*q == '>' ? 1 : 2);
    }
    if (depth)
        fail_msg("<%.*s> never closed", (int)len[depth - 1], stack[depth - 1]);
    assert_int_equal(roots, 1);
}

/* The points of the n-th polyline ("x,y x,y"), as a count. */
static int polyline_points(const char *s, int nth)
{
    const char *p = s;
    for (int i = 0; i <= nth; i++) {
        p = strstr(p, "<polyline");
        assert_non_null(p);
        p++;
    }
    p = strstr(p, "points=\"");
    assert_non_null(p);
    int pts = 0;
    for (p += 8; *p != '"'; p++)
        pts += *p == ',';
    return pts;
}

static void text_escaped_everywhere(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3}, y[] = {0.5, 0.25, 0.125};
    const sdn_svg_series s = {"<run> & \"best\"", " val", x, y, 3, 0, 0, 0};
    const sdn_svg_plot p = {"a<b>&\"c\"", "x & y", "<loss>", 0, 0, 0, NAN, 0};
    FILE *f = open_doc();
    assert_int_equal(sdn_svg_plot_write(f, &p, &s, 1), 0);
    char *svg = close_doc(f);
    assert_well_formed(svg);
    assert_non_null(strstr(svg, ">a&lt;b&gt;&amp;&quot;c&quot;</text>"));
    assert_non_null(strstr(svg, ">x &amp; y</text>"));
    assert_non_null(strstr(svg, ">&lt;loss&gt;</text>"));
    assert_non_null(strstr(svg, ">&lt;run&gt; &amp; &quot;best&quot; val</text>"));
    assert_null(strstr(svg, "<b>"));
    assert_null(strstr(svg, "<run>"));
    free(svg);

    /* the primitives: a tooltip, formatted text and a color are escaped as well */
    f = open_doc();
    sdn_svg_begin(f, 100, 50);
    sdn_svg_rect(f, 1, 2, 3, 4, (sdn_svg_paint){.fill = "#abc\""}, "t<1> & \"2\"");
    sdn_svg_textf(f, 5, 6, (sdn_svg_font){.anchor = SDN_SVG_END}, "%s=%d", "<&>", 7);
    sdn_svg_text(f, 7, 8, (sdn_svg_font){0}, "bell\a\x1b[0m\tend");
    sdn_svg_end(f);
    svg = close_doc(f);
    assert_well_formed(svg);
    assert_non_null(strstr(svg, "<title>t&lt;1&gt; &amp; &quot;2&quot;</title></rect>"));
    assert_non_null(strstr(svg, ">&lt;&amp;&gt;=7</text>"));
    assert_non_null(strstr(svg, "fill=\"#abc&quot;\""));
    assert_non_null(strstr(svg, ">bell??[0m\tend</text>"));
    free(svg);
}

static void non_finite_points_skipped(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3, 4, 5, 6}, y[] = {1, NAN, 3, INFINITY, 5, -INFINITY};
    const double xl[] = {1e-4, 1e-3, 0, -1, 1e-2, NAN}, yl[] = {2, 1, 1, 1, 0.5, 1};
    const sdn_svg_series s[2] = {{"linear", "", x, y, 6, 0, 0, 0}, {"log", "", xl, yl, 6, 1, 1, 0}};
    sdn_svg_plot p = {"t", "x", "y", 0, 0, 0, NAN, 0};
    FILE *f = open_doc();
    assert_int_equal(sdn_svg_plot_write(f, &p, s, 1), 0);
    char *svg = close_doc(f);
    assert_well_formed(svg);
    assert_int_equal(polyline_points(svg, 0), 3);
    assert_null(strstr(svg, "nan"));
    assert_null(strstr(svg, "inf"));
    free(svg);

    /* on a log x axis 0 and -1 go too; the marker at NaN is not drawn */
    p.log_x = 1;
    f = open_doc();
    assert_int_equal(sdn_svg_plot_write(f, &p, &s[1], 1), 0);
    svg = close_doc(f);
    assert_well_formed(svg);
    assert_int_equal(polyline_points(svg, 0), 3);
    assert_null(strstr(svg, "stroke-dasharray=\"2 3\""));
    assert_null(strstr(svg, "nan"));
    assert_null(strstr(svg, "inf"));
    free(svg);

    /* a shape at a coordinate that is not finite is left out */
    f = open_doc();
    sdn_svg_line(f, 0, NAN, 1, 1, (sdn_svg_paint){.stroke = "#000"});
    sdn_svg_rect(f, INFINITY, 0, 1, 1, (sdn_svg_paint){0}, NULL);
    sdn_svg_circle(f, 0, 0, NAN, (sdn_svg_paint){0}, "x");
    sdn_svg_text(f, NAN, 0, (sdn_svg_font){0}, "x");
    svg = close_doc(f);
    assert_string_equal(svg, "");
    free(svg);
}

static void empty_plots_are_whole_documents(void **state)
{
    (void)state;
    const double nan2[] = {NAN, NAN};
    const sdn_svg_series s[2] = {{"none", "", NULL, NULL, 0, 0, 0, 0},
                                 {"all NaN", "", nan2, nan2, 2, 1, 0, 0}};
    const sdn_svg_plot p = {"empty", "x", "y", 1, 1, 0, 1.0, 0};
    for (int count = 0; count <= 2; count++) {
        FILE *f = open_doc();
        assert_int_equal(sdn_svg_plot_write(f, &p, s, count), 0);
        char *svg = close_doc(f);
        assert_well_formed(svg);
        assert_int_equal(occurrences(svg, "<polyline"), 0);
        assert_int_equal(occurrences(svg, "<circle"), 0);
        assert_null(strstr(svg, "nan"));
        assert_null(strstr(svg, "inf"));
        assert_int_equal(occurrences(svg, ">none</text>"), count >= 1); /* still in the legend */
        assert_non_null(strstr(svg, "</svg>\n"));
        free(svg);
    }
}

/* Whole epochs: ticks at 1, 2, 3 only; a two-point line gets its dots. */
static void epoch_ticks_whole(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3}, y[] = {0.1, 0.2, 0.3};
    const sdn_svg_series s[2] = {{"a", "", x, y, 3, 0, 0, 0}, {"b", "", x, y, 2, 1, 1, 0}};
    const sdn_svg_plot p = {"t", "epoch", "y", 0, 0, 1, NAN, 1};
    FILE *f = open_doc();
    assert_int_equal(sdn_svg_plot_write(f, &p, s, 2), 0);
    char *svg = close_doc(f);
    assert_well_formed(svg);
    assert_int_equal(occurrences(svg, "text-anchor=\"middle\">1</text>"), 1);
    assert_int_equal(occurrences(svg, "text-anchor=\"middle\">3</text>"), 1);
    assert_null(strstr(svg, ">1.5</text>"));
    assert_int_equal(occurrences(svg, "<circle"), 2);
    assert_int_equal(occurrences(svg, "stroke-dasharray=\"5 3\""), 2); /* b's line and its legend */
    free(svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_escaped_everywhere),
        cmocka_unit_test(non_finite_points_skipped),
        cmocka_unit_test(empty_plots_are_whole_documents),
        cmocka_unit_test(epoch_ticks_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
