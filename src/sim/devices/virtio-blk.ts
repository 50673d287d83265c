import { virtioModel } from './virtio';

/** virtio-blk: virtblk_freeze resets the device; virtblk_restore re-creates its queues. */
export const virtioBlk = virtioModel({
  name: 'virtio-blk',
  deviceType: 2,
  classCode: 0x010000,
  resetsOnFreeze: true,
  rebuildsContext: true,
});
