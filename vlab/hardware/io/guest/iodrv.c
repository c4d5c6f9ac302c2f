/* iodrv.c -- a bare-metal guest with the drivers of the three I/O methods.
 *
 * It runs in (virtual) M-mode under the hardware-assisted VMM and does one job, read from
 * a parameter block the host writes into guest RAM before it starts (PARAMS below):
 *   op 1: read `count` KiB from the disk into BUF (with `check`: return their byte sum
 *         in `result`);
 *   op 2: write `count` KiB from BUF to the disk (with `check`: first fill BUF with a
 *         pattern, byte i = i * 13 + 7);
 *   op 3: print `count` console lines of LINE bytes;
 *   op 4: program one disk READ of a sector to `dma_addr` (any address: the test of a
 *         malicious guest) and return the disk's STATUS;
 *   op 5: send `count` Ethernet frames of `size` payload bytes to MAC 52:54:00:12:34:`peer`
 *         through virtio-net, `batch` per notification (OASIS virtio 1.1 sec. 5.1), or
 *         through the register-programmed card at 0x10006000, one command per frame;
 *   op 6: offer `count` receive buffers at once (one notification), wait until `count`
 *         frames have arrived and return the sum of their payload bytes;
 *   op 7: set up virtio-blk's queue with its descriptor table at `dma_addr` (any
 *         address: the test of a guest pointing a virtqueue at memory it does not own)
 *         and return the device's Status register.
 * `method` 0 drives the register-file disk at 0x10002000 (the same code whether the VMM
 * emulates it or passes it through) and the 16550 UART; method 1 drives virtio-blk and
 * virtio-console over virtio-mmio (OASIS virtio 1.1, sec. 2.6 split virtqueues, 4.2 MMIO,
 * 5.2 block, 5.3 console), `batch` requests or lines per notification.
 * The exit status is 0 on success, else the number of the check that failed.
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long long u64;

struct params {
    u32 method, op, count, batch, dma_addr, result;
    u32 check;      /* 1: fill the write pattern / sum what was read (0: I/O only) */
    u32 size;       /* network: payload bytes per frame */
    u32 peer;       /* network: last byte of the destination MAC 52:54:00:12:34:xx */
};
#define P ((volatile struct params *)0x80400000u)
#define RINGS 0x80410000u          /* one 8 KiB area per virtqueue */
#define HEADERS 0x80420000u        /* virtio-blk request headers, 16 bytes each */
#define STATUS 0x80421000u         /* their status bytes */
#define LINES 0x80422000u          /* console lines for the virtio console */
#define FRAMES 0x80430000u         /* network packets, 2 KiB each (header + frame) */
#define BUF 0x80500000u            /* data buffer of the disk operations */
#define LINE 32
#define SECTOR 512
#define PAGE 4096

static inline volatile u32 *reg(u32 base, u32 off) { return (volatile u32 *)(base + off); }
static inline void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

/* ---------------------------------------------------------------- register-file disk */
#define DISK 0x10002000u
enum { D_SECTOR = 0x0c, D_DMA = 0x10, D_COUNT = 0x14, D_COMMAND = 0x18, D_STATUS = 0x1c };

static u32 disk_command(u32 cmd, u32 sector, u32 addr, u32 count)
{
    *reg(DISK, D_SECTOR) = sector;
    *reg(DISK, D_DMA) = addr;
    *reg(DISK, D_COUNT) = count;
    *reg(DISK, D_COMMAND) = cmd;
    return *reg(DISK, D_STATUS);
}

static int disk_io(u32 cmd, u32 kib)
{
    u32 sectors = kib * 2;
    for (u32 s = 0; s < sectors; s += PAGE / SECTOR) {
        u32 n = sectors - s < PAGE / SECTOR ? sectors - s : PAGE / SECTOR;
        if (disk_command(cmd, s, BUF + s * SECTOR, n) != 0)
            return 10;
    }
    return 0;
}

/* ---------------------------------------------------------------- 16550 UART */
#define UART 0x10000000u
static void uart_putc(char c)
{
    volatile u8 *uart = (volatile u8 *)UART;
    while (!(uart[5] & 0x20))        /* LSR.THRE */
        ;
    uart[0] = c;
}

/* ---------------------------------------------------------------- virtio */
#define VBLK 0x10003000u
#define VCON 0x10004000u
#define QSIZE 64
struct desc { u64 addr; u32 len; u16 flags; u16 next; };
enum { F_NEXT = 1, F_WRITE = 2 };
struct vq {
    volatile struct desc *desc;
    volatile u16 *avail;            /* flags, idx, ring[QSIZE], used_event */
    volatile u16 *used;             /* flags, idx, {u32 id, u32 len}[QSIZE], avail_event */
    u16 next_avail;
};
static struct vq queues[5];  /* blk requestq; console receiveq, transmitq; net rx, tx */
static u32 desc_override;    /* op 7: where the blk queue's descriptor table is said to be */

static int virtio_start(u32 base, u32 device_id, int first, int nqueues)
{
    if (*reg(base, 0x000) != 0x74726976u || *reg(base, 0x004) != 2 ||
        *reg(base, 0x008) != device_id)
        return 20;
    *reg(base, 0x070) = 0;                          /* reset */
    *reg(base, 0x070) = 1;                          /* ACKNOWLEDGE */
    *reg(base, 0x070) = 1 | 2;                      /* DRIVER */
    *reg(base, 0x014) = 1;                          /* device features 32..63 */
    *reg(base, 0x024) = 1;
    *reg(base, 0x020) = *reg(base, 0x010) & 1;      /* accept VIRTIO_F_VERSION_1 only */
    *reg(base, 0x024) = 0;
    *reg(base, 0x020) = 0;                          /* no EVENT_IDX: flags suppress */
    *reg(base, 0x070) = 1 | 2 | 8;                  /* FEATURES_OK */
    if (!(*reg(base, 0x070) & 8))
        return 21;
    for (int q = 0; q < nqueues; q++) {
        u32 area = RINGS + (u32)(first + q) * 0x2000;
        struct vq *v = &queues[first + q];
        *reg(base, 0x030) = q;                      /* QueueSel */
        if (*reg(base, 0x034) < QSIZE)
            return 22;
        *reg(base, 0x038) = QSIZE;
        for (u32 *w = (u32 *)area; w < (u32 *)(area + 0x2000); w++)
            *w = 0;
        v->desc = (volatile struct desc *)area;
        v->avail = (volatile u16 *)(area + 0x400);
        v->used = (volatile u16 *)(area + 0x800);
        v->avail[0] = 1;                            /* VIRTQ_AVAIL_F_NO_INTERRUPT: we poll */
        v->next_avail = 0;
        *reg(base, 0x080) = desc_override && first == 0 ? desc_override : area;
        *reg(base, 0x084) = 0;
        *reg(base, 0x090) = area + 0x400;  *reg(base, 0x094) = 0;
        *reg(base, 0x0a0) = area + 0x800;  *reg(base, 0x0a4) = 0;
        *reg(base, 0x044) = 1;                      /* QueueReady */
    }
    *reg(base, 0x070) = 1 | 2 | 8 | 4;              /* DRIVER_OK */
    return 0;
}

static void put_desc(struct vq *v, u32 i, u32 addr, u32 len, u16 flags, u16 next)
{
    v->desc[i].addr = addr;
    v->desc[i].len = len;
    v->desc[i].flags = flags;
    v->desc[i].next = next;
}

/* publish `n` new heads, kick once (unless the device said NO_NOTIFY), wait for them */
static void publish_and_wait(u32 base, int qindex, struct vq *v, u32 n)
{
    fence();
    v->avail[1] = v->next_avail;                    /* idx: the driver's side is done */
    fence();
    if (!(v->used[0] & 1))                          /* VIRTQ_USED_F_NO_NOTIFY */
        *reg(base, 0x050) = qindex;                 /* QueueNotify: the one exit */
    while (v->used[1] != v->next_avail)             /* poll the used ring, in memory */
        ;
    (void)n;
}

static int vblk_io(u32 type, u32 kib, u32 batch)
{
    struct vq *v = &queues[0];
    u32 pages = (kib * 1024 + PAGE - 1) / PAGE, done = 0;
    if (batch < 1 || batch > QSIZE / 3)
        return 30;
    while (done < pages) {
        u32 n = 0;
        for (; n < batch && done + n < pages; n++) {
            u32 page = done + n, d = 3 * n;
            u32 len = page * PAGE + PAGE <= kib * 1024 ? PAGE : kib * 1024 - page * PAGE;
            volatile u32 *hdr = (volatile u32 *)(HEADERS + 16 * n);
            hdr[0] = type; hdr[1] = 0; hdr[2] = page * (PAGE / SECTOR); hdr[3] = 0;
            ((volatile u8 *)STATUS)[n] = 0xff;
            put_desc(v, d, HEADERS + 16 * n, 16, F_NEXT, d + 1);
            put_desc(v, d + 1, BUF + page * PAGE, len, F_NEXT | (type == 0 ? F_WRITE : 0), d + 2);
            put_desc(v, d + 2, STATUS + n, 1, F_WRITE, 0);
            v->avail[2 + v->next_avail % QSIZE] = d;
            v->next_avail++;
        }
        publish_and_wait(VBLK, 0, v, n);
        for (u32 i = 0; i < n; i++)
            if (((volatile u8 *)STATUS)[i] != 0)
                return 31;
        done += n;
    }
    return 0;
}

static void make_line(volatile char *line, u32 number)
{
    const char *head = "line ";
    int i = 0;
    for (; head[i]; i++)
        line[i] = head[i];
    line[i++] = '0' + number / 1000 % 10;
    line[i++] = '0' + number / 100 % 10;
    line[i++] = '0' + number / 10 % 10;
    line[i++] = '0' + number % 10;
    line[i++] = ':';
    for (; i < LINE - 1; i++)
        line[i] = 'a' + (number + i) % 26;
    line[LINE - 1] = '\n';
}

static int vcon_lines(u32 count, u32 batch)
{
    struct vq *v = &queues[2];
    u32 done = 0;
    if (batch < 1 || batch > QSIZE)
        return 40;
    while (done < count) {
        u32 n = 0;
        for (; n < batch && done + n < count; n++) {
            volatile char *line = (volatile char *)(LINES + LINE * n);
            make_line(line, done + n);
            put_desc(v, n, LINES + LINE * n, LINE, 0, 0);
            v->avail[2 + v->next_avail % QSIZE] = n;
            v->next_avail++;
        }
        publish_and_wait(VCON, 1, v, n);
        done += n;
    }
    return 0;
}

static int uart_lines(u32 count)
{
    char line[LINE];
    for (u32 k = 0; k < count; k++) {
        make_line(line, k);
        for (int i = 0; i < LINE; i++)
            uart_putc(line[i]);
    }
    return 0;
}

#define VNET 0x10005000u
#define NET_HDR 12
#define PACKET 2048

static int vnet_send(u32 count, u32 size, u32 peer, u32 batch)
{
    struct vq *v = &queues[4];
    u32 done = 0;
    u8 src[6];
    if (batch < 1 || batch > QSIZE || size + 14 > 1514)
        return 50;
    for (int i = 0; i < 6; i++)
        src[i] = *(volatile u8 *)(VNET + 0x100 + i);        /* config: our MAC, once */
    while (done < count) {
        u32 n = 0;
        for (; n < batch && done + n < count; n++) {
            volatile u8 *p = (volatile u8 *)(FRAMES + PACKET * n);
            for (int i = 0; i < NET_HDR; i++)
                p[i] = 0;                                   /* no offloads */
            volatile u8 *f = p + NET_HDR;
            const u8 dst[6] = {0x52, 0x54, 0x00, 0x12, 0x34, (u8)peer};
            for (int i = 0; i < 6; i++) {
                f[i] = dst[i];
                f[6 + i] = src[i];
            }
            f[12] = 0x88; f[13] = 0xb5;                     /* local experimental type */
            for (u32 i = 0; i < size; i++)
                f[14 + i] = (u8)(done + n + i);
            put_desc(v, n, FRAMES + PACKET * n, NET_HDR + 14 + size, 0, 0);
            v->avail[2 + v->next_avail % QSIZE] = n;
            v->next_avail++;
        }
        publish_and_wait(VNET, 1, v, n);
        done += n;
    }
    return 0;
}

static int vnet_receive(u32 count)
{
    struct vq *v = &queues[3];
    if (count > QSIZE)
        return 60;
    for (u32 n = 0; n < count; n++) {
        put_desc(v, n, FRAMES + PACKET * n, PACKET, F_WRITE, 0);
        v->avail[2 + v->next_avail % QSIZE] = n;
        v->next_avail++;
    }
    publish_and_wait(VNET, 0, v, count);
    u32 sum = 0;
    volatile u32 *used = (volatile u32 *)(v->used + 2);
    for (u32 n = 0; n < count; n++) {
        u32 id = used[2 * n], len = used[2 * n + 1];
        volatile u8 *f = (volatile u8 *)(FRAMES + PACKET * id) + NET_HDR;
        if (len < NET_HDR + 14)
            return 61;
        for (u32 i = 14; i < len - NET_HDR; i++)
            sum += f[i];
    }
    P->result = sum;
    return 0;
}

/* ---------------------------------------------------------------- register NIC */
#define NIC 0x10006000u
enum { N_MAC_LO = 0x00, N_MAC_HI = 0x04, N_TX_ADDR = 0x08, N_TX_LEN = 0x0c, N_TX_GO = 0x10,
       N_RX_ADDR = 0x14, N_RX_SIZE = 0x18, N_RX_GO = 0x1c, N_RX_LEN = 0x20, N_STATUS = 0x24 };

static int nic_send(u32 count, u32 size, u32 peer)
{
    u32 lo = *reg(NIC, N_MAC_LO), hi = *reg(NIC, N_MAC_HI);
    const u8 src[6] = {(u8)lo, (u8)(lo >> 8), (u8)(lo >> 16), (u8)(lo >> 24), (u8)hi,
                       (u8)(hi >> 8)};
    volatile u8 *f = (volatile u8 *)FRAMES;
    if (size + 14 > 1514)
        return 70;
    for (u32 k = 0; k < count; k++) {
        const u8 dst[6] = {0x52, 0x54, 0x00, 0x12, 0x34, (u8)peer};
        for (int i = 0; i < 6; i++) {
            f[i] = dst[i];
            f[6 + i] = src[i];
        }
        f[12] = 0x88; f[13] = 0xb5;
        for (u32 i = 0; i < size; i++)
            f[14 + i] = (u8)(k + i);
        *reg(NIC, N_TX_ADDR) = FRAMES;
        *reg(NIC, N_TX_LEN) = 14 + size;
        *reg(NIC, N_TX_GO) = 1;
        if (*reg(NIC, N_STATUS) != 0)
            return 71;
    }
    return 0;
}

static int nic_receive(u32 count)
{
    u32 sum = 0;
    volatile u8 *f = (volatile u8 *)FRAMES;
    for (u32 k = 0; k < count; k++) {
        *reg(NIC, N_RX_ADDR) = FRAMES;
        *reg(NIC, N_RX_SIZE) = PACKET;
        *reg(NIC, N_RX_GO) = 1;
        u32 len = *reg(NIC, N_RX_LEN);
        if (len < 14)
            return 72;                      /* nothing had arrived */
        for (u32 i = 14; i < len; i++)
            sum += f[i];
    }
    P->result = sum;
    return 0;
}

/* ---------------------------------------------------------------- main */
int main(void)
{
    u32 method = P->method, op = P->op, count = P->count, batch = P->batch;
    volatile u8 *buf = (volatile u8 *)BUF;
    int err = 0;
    if (op == 2 && P->check)
        for (u32 i = 0; i < count * 1024; i++)
            buf[i] = (u8)(i * 13 + 7);
    if (op == 7)
        desc_override = P->dma_addr;
    if (method == 1) {
        if ((err = virtio_start(VBLK, 2, 0, 1)) != 0 || (err = virtio_start(VCON, 3, 1, 2)) != 0)
            return err;
        if ((op == 5 || op == 6) && (err = virtio_start(VNET, 1, 3, 2)) != 0)
            return err;
    }
    if (op == 1 || op == 2)
        err = method == 1 ? vblk_io(op == 1 ? 0 : 1, count, batch) : disk_io(op, count);
    else if (op == 3)
        err = method == 1 ? vcon_lines(count, batch) : uart_lines(count);
    else if (op == 4)
        P->result = disk_command(1, 0, P->dma_addr, 1);
    else if (op == 5 && method == 1)
        err = vnet_send(count, P->size, P->peer, batch);
    else if (op == 6 && method == 1)
        err = vnet_receive(count);
    else if (op == 5)
        err = nic_send(count, P->size, P->peer);
    else if (op == 6)
        err = nic_receive(count);
    else if (op == 7 && method == 1)
        P->result = *reg(VBLK, 0x070);
    else
        return 2;
    if (op == 1 && P->check) {
        u32 sum = 0;
        for (u32 i = 0; i < count * 1024; i++)
            sum += buf[i];
        P->result = sum;
    }
    return err;
}
