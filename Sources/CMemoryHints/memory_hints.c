// Everything is in include/memory_hints.h (static inline); SwiftPM wants a source file per C target.
#include "memory_hints.h"
