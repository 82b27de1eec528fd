export { FaceApiDetector, type FaceApiDetectorOptions } from './face-api-detector.js';
export { FaceApiLandmarker, type FaceCrop } from './face-landmarker.js';
export { fiveFrom68 } from './five-landmarks.js';
export { detectionTiles, suppressOverlaps, iou, type DetectionTile } from './detection-tiles.js';
export { loadWeightMap, installedModelLocation, type ModelLocation } from './model-weights.js';
