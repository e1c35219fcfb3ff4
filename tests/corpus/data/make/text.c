#include "parts.h"

const char* text(void) {
    return "built by make -j4";
}
