"""MediaPipe FaceLandmarker's lip contours: landmark indices, each from one mouth corner to the other
(image left to right on an upright face), corners shared between upper and lower. Both halves read
them: the driver's mouth hint (face side) and the warp engine's mouth (engine side)."""
UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
