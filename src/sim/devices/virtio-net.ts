import { virtioModel } from './virtio';

/** virtio-net: virtnet_freeze resets the device; virtnet_restore rebuilds its queues and filters. */
export const virtioNet = virtioModel({
  name: 'virtio-net',
  deviceType: 1,
  classCode: 0x020000,
  resetsOnFreeze: true,
  rebuildsContext: true,
});
