// See porthole_shims.h. _GNU_SOURCE is defined here only: memfd_create, accept4, struct ucred
// and MSG_CMSG_CLOEXEC need it, and defining it in the header breaks the Swift module build.
#define _GNU_SOURCE
#include "porthole_shims.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#if __has_include(<linux/dma-buf.h>)
#include <linux/dma-buf.h>
#else
// The kernel UAPI, include/uapi/linux/dma-buf.h.
struct dma_buf_sync { uint64_t flags; };
#define DMA_BUF_SYNC_READ (1 << 0)
#define DMA_BUF_SYNC_WRITE (2 << 0)
#define DMA_BUF_SYNC_START (0 << 2)
#define DMA_BUF_SYNC_END (1 << 2)
#define DMA_BUF_BASE 'b'
#define DMA_BUF_IOCTL_SYNC _IOW(DMA_BUF_BASE, 0, struct dma_buf_sync)
#endif

#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC 0x444d4142 // "DMAB", include/uapi/linux/magic.h
#endif

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

_Static_assert(PORTHOLE_SEAL_SEAL == F_SEAL_SEAL, "F_SEAL_SEAL");
_Static_assert(PORTHOLE_SEAL_SHRINK == F_SEAL_SHRINK, "F_SEAL_SHRINK");
_Static_assert(PORTHOLE_SEAL_GROW == F_SEAL_GROW, "F_SEAL_GROW");
_Static_assert(PORTHOLE_SEAL_WRITE == F_SEAL_WRITE, "F_SEAL_WRITE");
_Static_assert(PORTHOLE_SEAL_FUTURE_WRITE == F_SEAL_FUTURE_WRITE, "F_SEAL_FUTURE_WRITE");
_Static_assert(PORTHOLE_DMA_BUF_SYNC_READ == DMA_BUF_SYNC_READ, "DMA_BUF_SYNC_READ");
_Static_assert(PORTHOLE_DMA_BUF_SYNC_WRITE == DMA_BUF_SYNC_WRITE, "DMA_BUF_SYNC_WRITE");
_Static_assert(PORTHOLE_DMA_BUF_SYNC_START == DMA_BUF_SYNC_START, "DMA_BUF_SYNC_START");
_Static_assert(PORTHOLE_DMA_BUF_SYNC_END == DMA_BUF_SYNC_END, "DMA_BUF_SYNC_END");

int porthole_memfd_create(const char *name) {
    return memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

int porthole_add_seals(int fd, int seals) {
    return fcntl(fd, F_ADD_SEALS, seals);
}

int porthole_get_seals(int fd) {
    return fcntl(fd, F_GET_SEALS);
}

int porthole_is_memfd(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    if (!S_ISREG(st.st_mode)) return 0;
    int saved = errno;
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0) { errno = saved; return 0; }
    // F_GET_SEALS also works on files in a tmpfs mount (/dev/shm); memfd_create(2) names its
    // files "memfd:NAME", which /proc/self/fd shows as "/memfd:NAME (deleted)". Without /proc the
    // seal check alone decides.
    char link_path[64];
    char target[16];
    snprintf(link_path, sizeof link_path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link_path, target, sizeof target);
    errno = saved;
    if (n < 0) return 1;
    return (n >= 7 && memcmp(target, "/memfd:", 7) == 0) ? 1 : 0;
}

int porthole_is_dmabuf(int fd) {
    struct statfs sfs;
    if (fstatfs(fd, &sfs) != 0) return -1;
    return (unsigned long)sfs.f_type == (unsigned long)DMA_BUF_MAGIC ? 1 : 0;
}

int porthole_eventfd_create(unsigned int initial_value, int nonblocking, int semaphore) {
    int flags = EFD_CLOEXEC;
    if (nonblocking) flags |= EFD_NONBLOCK;
    if (semaphore) flags |= EFD_SEMAPHORE;
    return eventfd(initial_value, flags);
}

int porthole_eventfd_read(int fd, uint64_t *value) {
    ssize_t n = read(fd, value, sizeof *value);
    if (n < 0) return -1;
    if (n != (ssize_t)sizeof *value) { errno = EIO; return -1; }
    return 0;
}

int porthole_eventfd_write(int fd, uint64_t value) {
    ssize_t n = write(fd, &value, sizeof value);
    if (n < 0) return -1;
    if (n != (ssize_t)sizeof value) { errno = EIO; return -1; }
    return 0;
}

int porthole_dmabuf_sync(int fd, uint64_t flags) {
    struct dma_buf_sync sync = { .flags = flags };
    return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
}

int porthole_unix_socket(int nonblocking) {
    return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
}

int porthole_unix_socketpair(int nonblocking, int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0, fds);
}

static int fill_address(struct sockaddr_un *addr, const char *path) {
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (len == 0) { errno = EINVAL; return -1; }
    if (len >= sizeof addr->sun_path) { errno = ENAMETOOLONG; return -1; }
    memcpy(addr->sun_path, path, len + 1);
    return 0;
}

int porthole_unix_bind(int fd, const char *path) {
    struct sockaddr_un addr;
    if (fill_address(&addr, path) != 0) return -1;
    return bind(fd, (struct sockaddr *)&addr, sizeof addr);
}

int porthole_unix_connect(int fd, const char *path) {
    struct sockaddr_un addr;
    if (fill_address(&addr, path) != 0) return -1;
    return connect(fd, (struct sockaddr *)&addr, sizeof addr);
}

int porthole_unix_accept(int fd, int nonblocking) {
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
}

int porthole_set_nonblocking(int fd, int nonblocking) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    flags = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags);
}

int porthole_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}

// A control buffer big enough for the largest SCM_RIGHTS message, aligned for struct cmsghdr.
typedef union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(int) * PORTHOLE_MAX_FDS_PER_MESSAGE)];
} control_buffer;

ssize_t porthole_send_with_fds(int fd, const void *bytes, size_t len,
                               const int *fds, size_t fd_count, int dontwait) {
    if (fd_count > PORTHOLE_MAX_FDS_PER_MESSAGE) { errno = EINVAL; return -1; }
    struct iovec iov = { .iov_base = (void *)bytes, .iov_len = len };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    control_buffer control;
    if (fd_count > 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.bytes;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * fd_count);
    }
    return sendmsg(fd, &msg, MSG_NOSIGNAL | (dontwait ? MSG_DONTWAIT : 0));
}

ssize_t porthole_recv_with_fds(int fd, void *bytes, size_t len,
                               int *fds_out, size_t max_fds, size_t *fd_count,
                               size_t *fds_dropped, int *control_truncated, int dontwait) {
    *fd_count = 0;
    *fds_dropped = 0;
    *control_truncated = 0;
    if (max_fds > PORTHOLE_MAX_FDS_PER_MESSAGE) max_fds = PORTHOLE_MAX_FDS_PER_MESSAGE;
    struct iovec iov = { .iov_base = bytes, .iov_len = len };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    control_buffer control;
    if (max_fds > 0) {
        msg.msg_control = control.bytes;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * max_fds);
    }
    ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | (dontwait ? MSG_DONTWAIT : 0));
    if (n < 0) return -1;
    if (msg.msg_flags & MSG_CTRUNC) *control_truncated = 1;
    if (msg.msg_controllen == 0) return n;
    // CMSG_SPACE rounds up to the header alignment, so the kernel may deliver more fds than
    // max_fds; every fd received is either handed out or closed here, never leaked.
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const unsigned char *data = CMSG_DATA(cmsg);
        for (size_t i = 0; i < count; i++) {
            int received;
            memcpy(&received, data + i * sizeof(int), sizeof(int));
            if (*fd_count < max_fds) {
                fds_out[(*fd_count)++] = received;
            } else {
                close(received);
                (*fds_dropped)++;
            }
        }
    }
    return n;
}

int porthole_set_mmap_threshold(size_t bytes) {
    if (bytes > (size_t)INT32_MAX) { errno = EINVAL; return -1; }
    if (mallopt(M_MMAP_THRESHOLD, (int)bytes) != 1) { errno = EINVAL; return -1; }
    return 0;
}


_Static_assert(PORTHOLE_EPOLL_IN == EPOLLIN && PORTHOLE_EPOLL_OUT == EPOLLOUT && PORTHOLE_EPOLL_ERR == EPOLLERR
               && PORTHOLE_EPOLL_HUP == EPOLLHUP && PORTHOLE_EPOLL_RDHUP == EPOLLRDHUP, "epoll event bits");
_Static_assert(PORTHOLE_EPOLL_CTL_ADD == EPOLL_CTL_ADD && PORTHOLE_EPOLL_CTL_DEL == EPOLL_CTL_DEL
               && PORTHOLE_EPOLL_CTL_MOD == EPOLL_CTL_MOD, "epoll_ctl operations");

int porthole_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int porthole_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = { .events = events, .data = { .u64 = data } };
    return epoll_ctl(epfd, op, fd, &event);
}

int porthole_epoll_wait(int epfd, porthole_epoll_event *events, int max_events, int64_t timeout_ns) {
    struct epoll_event ready[64];
    if (max_events > 64) max_events = 64;
    if (max_events < 1) { errno = EINVAL; return -1; }
    int count = -1;
#ifdef SYS_epoll_pwait2
    static int no_pwait2 = 0;
    if (!no_pwait2) {
        struct timespec timeout = { .tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000 };
        count = (int)syscall(SYS_epoll_pwait2, epfd, ready, max_events, timeout_ns < 0 ? NULL : &timeout, NULL, (size_t)0);
        if (count < 0 && errno == ENOSYS) no_pwait2 = 1;
    }
    if (no_pwait2)
#endif
    {
        int milliseconds = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
        count = epoll_wait(epfd, ready, max_events, milliseconds);
    }
    for (int i = 0; i < count; i++) {
        events[i].data = ready[i].data.u64;
        events[i].events = ready[i].events;
    }
    return count;
}

int porthole_set_thread_name(const char *name) {
    char shortened[16];
    strncpy(shortened, name, sizeof shortened - 1);
    shortened[sizeof shortened - 1] = 0;
    int result = pthread_setname_np(pthread_self(), shortened);
    if (result != 0) { errno = result; return -1; }
    return 0;
}
