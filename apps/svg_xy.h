/* Kept so that code written against the former apps/svg_xy.h still builds: the x-y plots are
 * declared in svg.h, the one SVG module. To go with the tool's rename to app_ names. */
#include "svg.h"
