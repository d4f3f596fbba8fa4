"""Norm-based generalisation bounds for sparse (convolutional) networks (Galanti, Xu, Galanti, Poggio, NeurIPS 2023;
``docs/theory/norm_bounds.md``):

* :mod:`.convnet`: CONV-L-H networks (k×k stride-1 convolutions with weight normalisation, a linear last layer);
* :mod:`.toeplitz`: the explicit Toeplitz unrolling of a convolution;
* :mod:`.norm_bounds`: the sparse bound (``our_total_bound``) and the Golowich et al. comparison, as functions of a
  network and a dataset;
* :mod:`.training`: the digits images and SGD on the MSE loss with the bounds logged along training.

Simulation layer: imports the foundation only.
"""

from .convnet import ConvNetWN, WNConv2d
from .norm_bounds import BoundTerms, golowich_total_bound, max_pixel_sum, our_total_bound
from .toeplitz import conv_toeplitz
from .training import ConvTrainRecord, digits_images, train_convnet

__all__ = ["ConvNetWN", "WNConv2d", "conv_toeplitz", "BoundTerms", "our_total_bound", "golowich_total_bound",
           "max_pixel_sum", "digits_images", "train_convnet", "ConvTrainRecord"]
