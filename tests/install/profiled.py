# A Python program run by an installed mprof: one @profile bracket and one collection.
import gc


@profile
def compute():
    x = [bytearray(1 << 20) for _ in range(8)]
    x.append(x)
    del x
    gc.collect()


compute()
