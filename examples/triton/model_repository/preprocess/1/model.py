import io

import numpy as np
import triton_python_backend_utils as pb_utils
from PIL import Image


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            raw = pb_utils.get_input_tensor_by_name(request, "IMAGE_BYTES").as_numpy()
            image = Image.open(io.BytesIO(raw.tobytes())).convert("RGB").resize((224, 224))
            pixels = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255.0
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("PIXELS", pixels[None])]))
        return responses
