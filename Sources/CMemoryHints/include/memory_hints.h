// Cache hints Swift has no spelling for. Header-only: the functions are inlined into the Swift
// code that calls them.
#ifndef PORTHOLE_MEMORY_HINTS_H
#define PORTHOLE_MEMORY_HINTS_H

// Asks the CPU to start loading the cache line holding `address` for reading, to be kept in
// every cache level. Only a hint: an address outside mapped memory is ignored, never a fault.
static inline void porthole_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
