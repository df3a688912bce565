#!/usr/bin/env python3
"""A producer that asks the display device for as many big outputs as it can (docs/protocol.md §8,
"pixels held per client"): each output gets a framebuffer on a sealed memfd that is never written,
so the producer holds no memory of its own, and a commit that shows it. It prints which outputs
were committed and which were refused; watch the server's VmRSS/VmHWM in /proc meanwhile.

    porthole serve --device --socket /tmp/dev.sock &
    bench/greedy-producer.py /tmp/dev.sock 4 8192        # outputs, side [copy-path: 1]
    grep -E 'VmRSS|VmHWM' /proc/$(pgrep -f 'socket /tmp/dev.sock')/status

HOLD (seconds, default 3) keeps the connection open at the end.
"""
import array, fcntl, os, socket, struct, sys, time

path=sys.argv[1]; n=int(sys.argv[2]); side=int(sys.argv[3]); copy=int(sys.argv[4]) if len(sys.argv)>4 else 0
s=socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
rid=[0]
def send(t, body, fds=()):
    rid[0]+=1
    data=struct.pack('<IHBBI',12+len(body),t,len(fds),0,rid[0])+body
    if fds: s.sendmsg([data],[(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i',fds))])
    else: s.sendall(data)
buf=b''
def recv():
    global buf
    while True:
        if len(buf)>=12:
            l,t,nf,fl,r=struct.unpack('<IHBBI',buf[:12])
            if len(buf)>=l:
                m=buf[:l]; buf=buf[l:]; return t,m
        d=s.recv(65536)
        if not d: raise SystemExit("closed")
        buf+=d
def expect(t0):
    while True:
        t,m=recv()
        if t==t0: return m
        if t in (0x8002,0x8014): print("refused:", hex(t), m[12:].decode('latin1','replace')[:200]); return None
name=b'hog'
send(1, b'PRTH'+struct.pack('<HHBBH',1,2,1,0,len(name))+b'\0'*16+name)
expect(0x8001)
for i in range(n):
    mode=struct.pack('<III',side,side,60000)
    send(0x10, mode+mode+struct.pack('<iiIIHH',i*side,0,0,0,3,0)+b'out')
    m=expect(0x8010)
    if m is None: break
    out,prim,cur=struct.unpack('<III',m[12:24])
    fd=os.memfd_create('hog', os.MFD_ALLOW_SEALING); os.ftruncate(fd, side*side*4)
    fcntl.fcntl(fd, 1033, 2 | 4 | 1)  # F_ADD_SEALS: F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL
    send(0x14, struct.pack('<IQIIIIBBH',0x34325258,0,side,side,side*4,0,1,copy,0), fds=[fd])
    m=expect(0x8012)
    if m is None: break
    fb=struct.unpack('<I',m[12:16])[0]
    plane=struct.pack('<II',prim,fb)+struct.pack('<IIII',0,0,side<<16,side<<16)+struct.pack('<iiII',0,0,side,side)+struct.pack('<HHHH',0,0xffff,0,0)
    send(0x16, struct.pack('<IHH',2,0,1)+plane)
    r=expect(0x8013)
    print("output",i,"committed" if r is not None else "rejected", flush=True)
time.sleep(float(os.environ.get('HOLD','3')))
