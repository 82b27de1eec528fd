/** Folder, next to the page, where the build serves face-api's weights (see `face-api-models.ts`). */
export const FACE_API_MODEL_DIR = 'face-api-model';
