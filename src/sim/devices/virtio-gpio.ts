import { virtioModel } from './virtio';

/**
 * virtio-gpio: the driver has no freeze or restore callback, so the device keeps running until the virtio core's
 * restore resets it, and nothing puts the pin directions (BAR0 word 0) and levels (word 1) back: they are lost on
 * resume unless the no-reset path or VIRTIO_F_SUSPEND avoids the reset.
 */
export const virtioGpio = virtioModel({
  name: 'virtio-gpio',
  deviceType: 41,
  classCode: 0x088000,
  resetsOnFreeze: false,
  rebuildsContext: false,
});
