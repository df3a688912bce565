// Thin C wrappers for the Linux system calls and macros Swift's Glibc module does not export:
// memfd_create(2), the F_SEAL_* file seals of fcntl(2), eventfd(2), the CMSG_* macros that
// SCM_RIGHTS fd passing needs (unix(7), cmsg(3)), accept4(2), SO_PEERCRED and the dma-buf sync
// ioctl.
//
// This header must not define _GNU_SOURCE (doing so here breaks the Swift build with an fd_set
// module conflict); only porthole_shims.c does. The constants below are plain numbers from the
// kernel UAPI so the header needs no GNU extensions; the .c file checks them against the system
// headers with static assertions.
//
// Every function returns -1 and leaves errno set on failure, like the call it wraps.
#ifndef PORTHOLE_SHIMS_H
#define PORTHOLE_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// File seals, fcntl(2) "File Sealing".
#define PORTHOLE_SEAL_SEAL 0x0001
#define PORTHOLE_SEAL_SHRINK 0x0002
#define PORTHOLE_SEAL_GROW 0x0004
#define PORTHOLE_SEAL_WRITE 0x0008
#define PORTHOLE_SEAL_FUTURE_WRITE 0x0010

// dma-buf sync flags, linux/dma-buf.h.
#define PORTHOLE_DMA_BUF_SYNC_READ 0x1
#define PORTHOLE_DMA_BUF_SYNC_WRITE 0x2
#define PORTHOLE_DMA_BUF_SYNC_START 0x0
#define PORTHOLE_DMA_BUF_SYNC_END 0x4

// The most fds one SCM_RIGHTS message may carry (SCM_MAX_FD in the kernel, unix(7)).
#define PORTHOLE_MAX_FDS_PER_MESSAGE 253

// epoll(7) event bits and epoll_ctl(2) operations, sys/epoll.h.
#define PORTHOLE_EPOLL_IN 0x001
#define PORTHOLE_EPOLL_OUT 0x004
#define PORTHOLE_EPOLL_ERR 0x008
#define PORTHOLE_EPOLL_HUP 0x010
#define PORTHOLE_EPOLL_RDHUP 0x2000
#define PORTHOLE_EPOLL_CTL_ADD 1
#define PORTHOLE_EPOLL_CTL_DEL 2
#define PORTHOLE_EPOLL_CTL_MOD 3

/// One ready descriptor from `porthole_epoll_wait`: the data word it was registered with and its
/// event bits. (struct epoll_event is packed on x86-64, which Swift does not import reliably.)
typedef struct {
    uint64_t data;
    uint32_t events;
} porthole_epoll_event;

/// memfd_create(2) with MFD_CLOEXEC | MFD_ALLOW_SEALING. Returns the fd or -1.
int porthole_memfd_create(const char *name);

/// fcntl(fd, F_ADD_SEALS, seals). Returns 0 or -1.
int porthole_add_seals(int fd, int seals);

/// fcntl(fd, F_GET_SEALS). Returns the seal mask or -1 (EINVAL when fd is not shmem/memfd).
int porthole_get_seals(int fd);

/// 1 when fd is a memfd: a regular file on which F_GET_SEALS works and whose /proc/self/fd link
/// reads "/memfd:..." (this tells it from a tmpfs file); 0 when it is not, -1 when fstat fails.
int porthole_is_memfd(int fd);

/// 1 when fd is a dma-buf (fstatfs reports DMA_BUF_MAGIC), 0 when not, -1 when fstatfs fails.
int porthole_is_dmabuf(int fd);

/// eventfd(2) with EFD_CLOEXEC, plus EFD_NONBLOCK when nonblocking is non-zero and
/// EFD_SEMAPHORE when semaphore is non-zero.
int porthole_eventfd_create(unsigned int initial_value, int nonblocking, int semaphore);

/// Reads the 8-byte counter (eventfd_read). Returns 0 or -1.
int porthole_eventfd_read(int fd, uint64_t *value);

/// Adds value to the counter (eventfd_write). Returns 0 or -1.
int porthole_eventfd_write(int fd, uint64_t value);

/// DMA_BUF_IOCTL_SYNC with the given PORTHOLE_DMA_BUF_SYNC_* flags. Returns 0 or -1.
int porthole_dmabuf_sync(int fd, uint64_t flags);

/// socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC [| SOCK_NONBLOCK], 0).
int porthole_unix_socket(int nonblocking);

/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC [| SOCK_NONBLOCK], 0, fds).
int porthole_unix_socketpair(int nonblocking, int fds[2]);

/// bind(2) to a filesystem path; ENAMETOOLONG when it does not fit sockaddr_un.sun_path.
int porthole_unix_bind(int fd, const char *path);

/// connect(2) to a filesystem path; ENAMETOOLONG when it does not fit sockaddr_un.sun_path.
int porthole_unix_connect(int fd, const char *path);

/// accept4(2) with SOCK_CLOEXEC [| SOCK_NONBLOCK].
int porthole_unix_accept(int fd, int nonblocking);

/// Sets or clears O_NONBLOCK. Returns 0 or -1.
int porthole_set_nonblocking(int fd, int nonblocking);

/// SO_PEERCRED of a connected AF_UNIX socket. Returns 0 or -1.
int porthole_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid);

/// sendmsg(2) of len bytes with fd_count fds attached as one SCM_RIGHTS message (unix(7)).
/// MSG_NOSIGNAL is always set (a closed peer gives EPIPE, not SIGPIPE); MSG_DONTWAIT when
/// dontwait is non-zero. fd_count must be at most PORTHOLE_MAX_FDS_PER_MESSAGE, and on a stream
/// socket len must be at least 1 when fds are sent. Returns the bytes sent or -1.
ssize_t porthole_send_with_fds(int fd, const void *bytes, size_t len,
                               const int *fds, size_t fd_count, int dontwait);

/// recvmsg(2) with MSG_CMSG_CLOEXEC and room for max_fds fds. Received fds are stored in fds_out
/// (up to max_fds, clamped to PORTHOLE_MAX_FDS_PER_MESSAGE) and counted in *fd_count. Any fd
/// that arrived but does not fit is closed here and counted in *fds_dropped. *control_truncated
/// is 1 when the kernel set MSG_CTRUNC (it discards fds that did not fit the control buffer).
/// Returns the bytes received (0 at end of stream) or -1.
ssize_t porthole_recv_with_fds(int fd, void *bytes, size_t len,
                               int *fds_out, size_t max_fds, size_t *fd_count,
                               size_t *fds_dropped, int *control_truncated, int dontwait);

/// mallopt(3) M_MMAP_THRESHOLD: glibc serves allocations of at least `bytes` with their own
/// mmap(2) and unmaps them when freed. Setting it also turns off glibc's dynamic threshold, which
/// otherwise rises to the size of the largest block freed (up to 32 MiB) and puts later blocks of
/// that size into the per-thread arenas, where freed ones stay resident. Returns 0, or -1 when
/// glibc refuses the value (above 32 MiB on 64-bit).
int porthole_set_mmap_threshold(size_t bytes);


/// epoll_create1(2) with EPOLL_CLOEXEC.
int porthole_epoll_create(void);

/// epoll_ctl(2) registering `events` for `fd` with the data word `data`.
int porthole_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);

/// epoll_pwait2(2): waits at most `timeout_ns` nanoseconds (negative: without end) for up to
/// `max_events` ready descriptors; falls back to epoll_wait(2), rounding the timeout up to whole
/// milliseconds, on kernels without epoll_pwait2 (before Linux 5.11). Returns the count or -1.
int porthole_epoll_wait(int epfd, porthole_epoll_event *events, int max_events, int64_t timeout_ns);

/// pthread_setname_np(3) for the calling thread; `name` is cut to 15 bytes.
int porthole_set_thread_name(const char *name);

#endif
