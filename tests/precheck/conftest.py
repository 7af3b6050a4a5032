import sys
from pathlib import Path

# the factory of synthetic graduates is imported by name by the tests here and by the benchmark
sys.path.insert(0, str(Path(__file__).parent))
