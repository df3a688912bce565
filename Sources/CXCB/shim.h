#ifndef PORTHOLE_CXCB_SHIM_H
#define PORTHOLE_CXCB_SHIM_H

#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <xcb/xcb.h>
#include <xcb/shm.h>
#include <xcb/damage.h>
#include <xcb/xfixes.h>
#include <xcb/xtest.h>
#include <xcb/randr.h>
#include <xcb/xkb.h>

/* Each extension's `xcb_extension_t` id is an incomplete type that Swift cannot take the address
   of, so these ask for an extension's data (present?, first event, first error) on its behalf. */
static inline const xcb_query_extension_reply_t *cxcb_shm_data(xcb_connection_t *c) {
    return xcb_get_extension_data(c, &xcb_shm_id);
}
static inline const xcb_query_extension_reply_t *cxcb_damage_data(xcb_connection_t *c) {
    return xcb_get_extension_data(c, &xcb_damage_id);
}
static inline const xcb_query_extension_reply_t *cxcb_xfixes_data(xcb_connection_t *c) {
    return xcb_get_extension_data(c, &xcb_xfixes_id);
}
static inline const xcb_query_extension_reply_t *cxcb_xtest_data(xcb_connection_t *c) {
    return xcb_get_extension_data(c, &xcb_test_id);
}
static inline const xcb_query_extension_reply_t *cxcb_randr_data(xcb_connection_t *c) {
    return xcb_get_extension_data(c, &xcb_randr_id);
}
static inline const xcb_query_extension_reply_t *cxcb_xkb_data(xcb_connection_t *c) {
    return xcb_get_extension_data(c, &xcb_xkb_id);
}

/* memfd_create(2) through the system call, so the header needs no _GNU_SOURCE. */
static inline int cxcb_memfd_create(const char *name) {
    return (int)syscall(SYS_memfd_create, name, 1U /* MFD_CLOEXEC */);
}

/* The bytes waiting unread in socket `fd` (FIONREAD, which Swift cannot call: ioctl is variadic),
   or -1. */
static inline int cxcb_unread_bytes(int fd) {
    int count = 0;
    return ioctl(fd, FIONREAD, &count) == 0 ? count : -1;
}

#endif
