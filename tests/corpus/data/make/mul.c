#include "parts.h"

long mul(long a, long b) {
    return a * b;
}
