// stb's implementations, compiled only where no prebuilt libstb (Debian's libstb-dev ships
// one) was found: CMake then defines TINT_STB_IMPLEMENTATION.
#ifdef TINT_STB_IMPLEMENTATION
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_write.h>
#endif
