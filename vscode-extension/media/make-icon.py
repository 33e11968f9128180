# 128x128 icon: dark rounded square, three rising bars and a curve-like step.
import zlib, struct
W=H=128
bg=(24,44,74); fg=(245,245,245); acc=(255,159,28)
def inside_round(x,y,r=22):
    cx=min(max(x,r),W-1-r); cy=min(max(y,r),H-1-r)
    return (x-cx)**2+(y-cy)**2<=r*r
rows=[]
bars=[(24,44,80),(54,74,58),(84,104,32)]  # x0,x1,top
for y in range(H):
    row=bytearray([0])
    for x in range(W):
        if not inside_round(x,y):
            row+=bytes((0,0,0,0)); continue
        c=bg
        for i,(x0,x1,top) in enumerate(bars):
            if x0<=x<x1 and top<=y<104:
                c=acc if i==2 else fg
        # baseline
        if 104<=y<108 and 18<=x<110: c=fg
        row+=bytes(c)+b'\xff'
    rows.append(bytes(row))
raw=b''.join(rows)
def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
png=b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',W,H,8,6,0,0,0))+chunk(b'IDAT',zlib.compress(raw,9))+chunk(b'IEND',b'')
open('media/icon.png','wb').write(png)
